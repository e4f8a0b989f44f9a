export * from './linear-mdp.ts';
export * from './lsa.ts';
export * from './bound.ts';
export * from './explorer.ts';
