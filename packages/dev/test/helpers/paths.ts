import { join } from 'node:path';

/** The repository root. */
export const REPO = join(__dirname, '..', '..', '..', '..');
/** The project the dev tests run against: the restaurant example. */
export const PROJECT = join(REPO, 'examples', 'restaurant');
/** `dff` from the workspace: `node …` + these arguments runs it on its sources (tsx). */
export const DFF = ['--conditions=dff-source', join(REPO, 'packages', 'dev', 'bin', 'dff.js')];
