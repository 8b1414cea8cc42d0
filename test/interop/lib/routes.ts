/**
 * The routes the BGP neighbours of a scenario announce, and the tables a monitored router should
 * then report per RIB view. Attribute values vary with the route's index so that every encoder
 * path gets exercised: 4-octet AS numbers in the AS path, AS paths of different lengths, standard
 * and large communities (some routes none), MED (some none), LOCAL_PREF on iBGP sessions.
 *
 * Next hops are documentation addresses (RFC 5737 / RFC 3849): both routers reject 127/8 next
 * hops, and nothing is routed anywhere (no zebra, no kernel).
 */

export interface Route {
  prefix: string;
  nextHop: string;
  /** AS_SEQUENCE, first hop first. */
  asPath: number[];
  communities: string[];
  largeCommunities: string[];
  med: number | null;
  localPref: number | null;
}

/** Community that the routers' inbound policy rejects (RFC 1997 notation). */
export const REJECT_COMMUNITY = '65000:666';

export function rejectedByPolicy(route: Route): boolean {
  return route.communities.includes(REJECT_COMMUNITY);
}

export interface NeighbourPlan {
  /** 1, 2, ...: picks the neighbour's address block, so neighbours never share a prefix. */
  index: number;
  asn: number;
  ibgp: boolean;
  ipv4: number;
  ipv6: number;
}

/** The routes a neighbour announces at first. */
export function initialRoutes(plan: NeighbourPlan): Route[] {
  const routes: Route[] = [];
  const make = (i: number, prefix: string, nextHop: string): Route => {
    const middle = [64512 + (i % 5), 4200000000 + (i % 97), 65550 + (i % 3)].slice(0, 1 + (i % 3));
    const asPath = plan.ibgp ? [64600 + (i % 4), ...middle] : [plan.asn, ...middle];
    const communities = i % 7 === 3 ? [] : [`65000:${i % 100}`, ...(i % 25 === 0 ? [REJECT_COMMUNITY] : []), ...(i % 11 === 0 ? [`${64512 + plan.index}:${i}`] : [])];
    const largeCommunities = i % 2 === 0 ? [`${plan.asn}:${i % 4}:${i}`] : i % 9 === 1 ? [`4200000123:1:${i}`, `4200000123:2:${i % 13}`] : [];
    return {
      prefix,
      nextHop,
      asPath,
      communities,
      largeCommunities,
      med: i % 10 === 5 ? null : (i * 7) % 1000,
      localPref: plan.ibgp ? 100 + (i % 50) : null,
    };
  };
  for (let i = 0; i < plan.ipv4; i++) {
    routes.push(make(i, `10.${plan.index * 16 + (i >> 8)}.${i & 255}.0/24`, `192.0.2.${plan.index}`));
  }
  for (let i = 0; i < plan.ipv6; i++) {
    routes.push(make(i, `2001:db8:${((plan.index << 12) | i).toString(16)}::/48`, `2001:db8::${plan.index}`));
  }
  return routes;
}

/** The same prefix on a different path: new AS path, MED and communities (and never rejected). */
export function changedRoute(route: Route, plan: NeighbourPlan): Route {
  return {
    ...route,
    asPath: plan.ibgp ? [64999, 4200000999] : [plan.asn, 65444, 4200000999],
    communities: ['65000:4242'],
    largeCommunities: [`${plan.asn}:9:9`],
    med: 7777,
  };
}

/** exabgp API command announcing `route` (exabgp 4.2 text encoder). */
export function exabgpAnnounce(route: Route): string {
  const parts = [`announce route ${route.prefix} next-hop ${route.nextHop}`, `as-path [${route.asPath.join(' ')}]`];
  if (route.communities.length > 0) parts.push(`community [${route.communities.join(' ')}]`);
  if (route.largeCommunities.length > 0) parts.push(`large-community [${route.largeCommunities.join(' ')}]`);
  if (route.med !== null) parts.push(`med ${route.med}`);
  if (route.localPref !== null) parts.push(`local-preference ${route.localPref}`);
  return parts.join(' ');
}

export function exabgpWithdraw(route: Route): string {
  return `withdraw route ${route.prefix} next-hop ${route.nextHop}`;
}

/** A table: prefix -> route, as a RIB view of one peer should hold it. */
export type Table = Map<string, Route>;

export function tableOf(routes: Iterable<Route>): Table {
  return new Map([...routes].map((r) => [r.prefix, r]));
}
