// Before every test file, in the process that runs it: the Temporal SDK logs warnings and
// errors only, so that a failure stands out in the test output. At the default (INFO) each
// worker logs its every state change, Nexus polling and bundling; none of that is a finding.
// (Native Core SDK logs default to WARN already.) The same switch as LOG_LEVEL=warn in `npm start`.
import { Runtime } from '@temporalio/worker';
import { installRuntime } from '../workers/runtime/logging.js';

if (!Runtime._instance) installRuntime('warn');
