export * from './codecs';
export * from './encoding-plan';
export * from './ladder-parts';
export * from './output-plan';
export * from './source-limits';
export * from './transcode-options';
export * from './transcode-request';
