/** Library API of @switchboard-msg/n8n-nodes-switchboard: the host-free core, re-exported. */
export * from './core';
