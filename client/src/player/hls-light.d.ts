// hls.js ships one declaration file for its full and light builds; the light one lacks only what Jalsa does not use.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
