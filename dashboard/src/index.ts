export * from './assets.js';
export * from './fleet-view.js';
