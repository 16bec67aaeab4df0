import { join } from 'node:path';

/** This example's folder: the project `dff` runs and functions-framework serves (`--source`). */
export const PROJECT = join(__dirname, '..', '..');
/** The repository root (its node_modules/.bin, its docs/). */
export const REPO = join(PROJECT, '..', '..');
/** `dff` from the workspace: `node …` + these arguments runs it on its sources (tsx). */
export const DFF = ['--conditions=dff-source', join(REPO, 'packages', 'dev', 'bin', 'dff.js')];
