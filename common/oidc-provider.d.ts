// oidc-provider ships no type declarations; we type the few shapes we touch where we use them.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
  export const errors: any;
  export const interactionPolicy: any;
}
