// The worker's workflow bundle entry: every workflow the engine runs is exported here.
export { orderWorkflow } from './order/workflow.js';
