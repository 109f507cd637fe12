// The published @kabelsalat/web 0.4.1 ships no build, yet @strudel/core imports one class from
// it for its REPL, which the mini-notation never uses: resolve it to an empty stand-in.
export async function resolve(specifier, context, next) {
  if (specifier === '@kabelsalat/web') {
    return { url: 'data:text/javascript,export class SalatRepl {}', shortCircuit: true };
  }
  return next(specifier, context);
}
