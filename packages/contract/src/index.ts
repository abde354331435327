export * from './common';
export * from './job-body';
export * from './ops-bodies';
export * from './json-schemas';
export * from './web-module';
