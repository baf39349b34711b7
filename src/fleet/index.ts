// Public API of the fleet family; re-exported from src/index.ts.
export { connectFleet } from './connectFleet.js';
export type { Fleet, FleetLatency, FleetOptions, FleetPolicy, FleetRegistry, FleetStats } from './Fleet.js';
export type { FleetMessage } from './FleetMessage.js';
