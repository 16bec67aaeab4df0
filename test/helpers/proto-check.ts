// The checker lives in scripts/lib so the dev console can use it too; tests import it from here.
export { assertValidResponse, protoErrors } from '../../scripts/lib/proto-check';
