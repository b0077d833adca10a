import { describe, expect, it } from "vitest";
import { ipLimitKey } from "../../src/spam/ip-limit-key.js";
import { clientIp } from "../../src/http/client-ip.js";

describe("ipLimitKey", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(ipLimitKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every IPv6 address of one /64 under one key, however it is written", () => {
    const key = ipLimitKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(ipLimitKey("2001:0db8:0001:0002:ffff:ffff:ffff:fffe")).toBe(key);
    expect(ipLimitKey("2001:DB8:1:2:abcd::9")).toBe(key);
    expect(ipLimitKey("2001:db8:1:2::5%eth0")).toBe(key);
  });

  it("gives the next /64 its own key", () => {
    expect(ipLimitKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(ipLimitKey("::1")).toBe("0:0:0:0::/64");
  });

  it("counts an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(ipLimitKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipLimitKey("::ffff:cb00:7107")).toBe("203.0.113.7");
  });
});

describe("clientIp", () => {
  it("takes the address Express resolved, IPv4-mapped written as IPv4", () => {
    expect(clientIp({ ip: "::ffff:198.51.100.4" })).toBe("198.51.100.4");
    expect(clientIp({ ip: "2001:db8::7" })).toBe("2001:db8::7");
  });

  it("falls back to the socket's peer and refuses anything that is not an address", () => {
    expect(clientIp({ socket: { remoteAddress: "127.0.0.1" } })).toBe("127.0.0.1");
    expect(clientIp({ ip: "not-an-address" })).toBeUndefined();
    expect(clientIp({})).toBeUndefined();
  });
});
