export * from './tenants.ts';
export * from './org.ts';
export * from './users.ts';
export * from './auth.ts';
export * from './audit.ts';
export * from './customers.ts';
export * from './imports.ts';
export * from './evaluations.ts';
