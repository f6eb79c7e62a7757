export * from './authorization.ts';
export * from './package.ts';
export * from './receipt.ts';
export * from './screen.ts';
export * from './states.ts';
