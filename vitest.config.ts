import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/runTempDir.ts'],
    // Integration and end-to-end tests start mediasoup workers, ffmpeg and Chromium; on two cores
    // running files one at a time is both faster and steadier than contending for the CPU.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for a state the page or server reaches by itself; on two loaded cores that can
    // take seconds (the watch page renders its app only once the boot's sound plays), and the default
    // one second fails a correct run. A longer wait changes nothing when the state is reached.
    expect: { poll: { timeout: 15_000 } },
    reporters: ['default'],
  },
});
