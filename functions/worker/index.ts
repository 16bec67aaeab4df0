import { http } from '@google-cloud/functions-framework';
import { loadConfigOrExit } from '../../shared/config';
import { FulfillmentError } from '../../shared/errors';
import { sendError } from '../../shared/http';

loadConfigOrExit();

// The job worker arrives with the slow-work issue; until then it says so plainly.
http('worker', (_req, res) => {
  sendError(res, new FulfillmentError('not-implemented', 'The worker is not implemented yet.'));
});
