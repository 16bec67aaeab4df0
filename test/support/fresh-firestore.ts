import { beforeAll } from 'vitest';
import { resetTestFirestore } from '@dialogflow-functions/testing';

/*
 * The second setup file of the projects on the Firestore emulator (vitest.config.mts): every
 * test file starts on an empty Firestore project. A worker runs its files one after another in
 * one process (no per-file isolation), so they share the worker's project (`demo-test-<pid>`);
 * without this, a file that does not reset would find what the worker's previous file left.
 */
beforeAll(() => resetTestFirestore());
