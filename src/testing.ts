// The "trpc-jwt/testing" entry: helpers for the tests of apps that use trpc-jwt (server-side only).
export { testContext, type TestCaller } from "./testing/testContext.js";
export { storeConformance, type ConformanceMatchers, type ConformanceRunner, type StoreUnderTest } from "./testing/storeConformance.js";
