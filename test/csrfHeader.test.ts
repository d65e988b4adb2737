// csrfHeader reads the csrf cookie the way a page's scripts see it (document.cookie).
import { afterEach, describe, expect, it } from "vitest";
import { csrfHeader } from "trpc-jwt/client";

const withCookies = (cookie: string) => Object.assign(globalThis, { document: { cookie } });
afterEach(() => {
  delete (globalThis as { document?: unknown }).document;
});

describe("csrfHeader", () => {
  it("sends __Host-csrf, then csrf, as x-csrf-token; nothing without a cookie or a document", () => {
    expect(csrfHeader()()).toEqual({});
    withCookies("a=1; __Host-csrf=abc%2Fdef; csrf=other");
    expect(csrfHeader()()).toEqual({ "x-csrf-token": "abc/def" });
    withCookies("a=1; csrf=plain");
    expect(csrfHeader()()).toEqual({ "x-csrf-token": "plain" });
    withCookies("a=1");
    expect(csrfHeader()()).toEqual({});
  });

  it("reads the named cookie only, when given, and reads it at send time", () => {
    const headers = csrfHeader("xsrf");
    withCookies("csrf=ignored; xsrf=mine");
    expect(headers()).toEqual({ "x-csrf-token": "mine" });
    withCookies("xsrf=next");
    expect(headers()).toEqual({ "x-csrf-token": "next" });
  });

  it("sends nothing when the cookie is duplicated (a sibling subdomain may have planted one)", () => {
    withCookies("csrf=a; csrf=b");
    expect(csrfHeader()()).toEqual({});
  });

  it("sends nothing, and does not throw, for a value that is not valid percent-encoding", () => {
    withCookies("csrf=%E0%A4%A; a=1");
    expect(csrfHeader()()).toEqual({});
    withCookies("__Host-csrf=%zz; csrf=plain");
    expect(csrfHeader()()).toEqual({ "x-csrf-token": "plain" });
  });
});
