export * from './codecs';
export * from './encoding-plan';
export * from './transcode-options';
