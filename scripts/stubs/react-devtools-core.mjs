// Ink connects to React's devtools only when DEV=true; sbx's view never does. This stands in for
// the optional package in the view's bundle, so that the bundle needs nothing installed.
export default {
  initialize() {},
  connectToDevTools() {},
};
