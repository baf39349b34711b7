// Public API of the inspect family; re-exported from src/index.ts.
export { startInspectorServer, type InspectorServerOptions } from './startInspectorServer.js';
export type { InspectorServer } from './InspectorServer.js';
export { connectInspector, type InspectorConnection } from './connectInspector.js';
export { runInspectCli, type InspectCliIo } from './runInspectCli.js';
export { streamBreaker, type StreamBreakerOptions } from './streamBreaker.js';
export { toInspectionMessage, type InspectorMessage } from './InspectorMessage.js';
export { INSPECTOR_DEFAULTS } from './inspectorDefaults.js';
