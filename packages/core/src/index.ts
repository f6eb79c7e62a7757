export * from './assurance.ts';
export * from './catalogue/schemas.ts';
export * from './catalogue/validate.ts';
export * from './catalogue/views.ts';
export * from './errors.ts';
export * from './i18n.ts';
export * from './identity/national-id.ts';
