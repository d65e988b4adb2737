// The layers of src/, lowest first: a module may import its own layer and the layers below it,
// never one above, and no import cycle is allowed (type-only imports included). `npm run lint`
// runs this over src/; docs/development.md explains the layers. The browser entry's modules
// (src/client/) reach nothing of the server but the error table, the wire constants, the options toolkit and jws/decodeSegment.
const LAYERS = [
  ["base", "^src/((errors|tokens/json)\\.ts$|wire/|runtime/)"], // coded errors, JSON values, wire constants, runtime facts: import nothing
  ["jws", "^src/jws/"], // JOSE facts without token semantics: the algorithm table
  ["options", "^src/options/"], // how an option is checked, and every limit: browser-safe
  ["telemetry", "^src/telemetry/"], // the audit hook, and OpenTelemetry spans and metrics when @opentelemetry/api is installed
  ["stores", "^src/stores/"], // the TokenStore contract and its adapters
  ["keys", "^src/keys/"], // key material -> KeyRing
  ["tokens", "^src/tokens/"], // the token model, verification and issuing
  ["config", "^src/config/"], // AuthManager's options, checked once (above keys and tokens: they take narrow parameters, KeyConfig, VerifyPolicy, IssuePolicy)
  ["refusals", "^src/refusals/"], // a refusal's code and reason, and its TRPCError
  ["sessions", "^src/sessions/"], // login, rotate, revoke, revocation checks
  ["apiKeys", "^src/apiKeys/"], // API keys: their form, secrets, verification and the auth.apiKeys methods
  ["rateLimit", "^src/rateLimit/"], // auth.rateLimit's middleware, and the request facts it reads
  ["policy", "^src/policy/"], // requireToken's rules, pure
  ["issuer", "^src/issuers/Issuer\\.ts$"], // what a request context needs of an issuer, either kind
  ["manager", "^src/(AuthManager\\.ts$|manager/)"], // AuthManager, and the core and session methods it is built of
  ["issuers", "^src/issuers/(?!Issuer\\.ts$)"], // identity providers, several issuers in one context
  ["trpc", "^src/trpc/"], // context, guards, cookies, errors on the wire
  ["testing", "^src/testing/"],
  ["entries", "^src/(index|client|redis|testing|types|policy)\\.ts$"],
];
// Siblings that must not know each other.
const SIBLINGS = [["sessions", "policy"]];

const pathOf = Object.fromEntries(LAYERS);
const upward = LAYERS.slice(0, -1).map(([name, path], index) => ({
  name: `layer-${name}`,
  comment: `${name} may import only the layers below it (${LAYERS.slice(0, index).map(([below]) => below).join(", ") || "none"})`,
  severity: "error",
  from: name === "tokens" ? { path, pathNot: pathOf.base } : { path },
  to: { path: LAYERS.slice(index + 1).map(([, above]) => above), pathNot: pathOf.base },
}));
const sideways = SIBLINGS.flatMap(([a, b]) => [
  { name: `layer-${a}-${b}`, comment: `${a} and ${b} are siblings`, severity: "error", from: { path: pathOf[a] }, to: { path: pathOf[b] } },
  { name: `layer-${b}-${a}`, comment: `${b} and ${a} are siblings`, severity: "error", from: { path: pathOf[b] }, to: { path: pathOf[a] } },
]);

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", comment: "an import cycle, type-only imports included", severity: "error", from: {}, to: { circular: true } },
    ...upward,
    ...sideways,
    {
      name: "client-is-browser-safe",
      comment: "the client entry's modules import only each other, the error table, the wire constants, the options toolkit and the one JWT segment decoder (no dependencies)",
      severity: "error",
      from: { path: "^src/(client/|client\\.ts$)" },
      to: { path: "^src/", pathNot: "^src/(client/|options/|wire/|errors\\.ts$|jws/decodeSegment\\.ts$)" },
    },
    { name: "no-unresolvable", comment: "an import that resolves to nothing", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
