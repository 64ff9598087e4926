import type { Route53StandIn } from "./route53-stand-in.js";

/*
 * Route 53's health checkers, for the data-plane tests: endpoint checks polled by several checkers,
 * calculated checks over them, and the outcome fed to the Route 53 stand-in's answer rules
 * (`setHealth`), so a test can see which target the login hostname resolves to. The rules, from the
 * Route 53 Developer Guide ("How Amazon Route 53 determines whether a health check is healthy"):
 *   - a checker's request succeeds on an HTTP status from 200 to 399 within the timeout, and for a
 *     string-matching check when `searchString` is in the first 5,120 bytes of the body;
 *   - each checker changes its view after `failureThreshold` results in a row the other way;
 *   - an endpoint check is healthy when more than 18% of its checkers see it healthy, and an
 *     inverted check reports the opposite ("Inverting health checks");
 *   - a calculated check is healthy when at least `healthThreshold` of its children are.
 * No control-plane request is involved: this is the part of Route 53 that keeps answering when its
 * API does not. Time is the test's: each `tick()` is one polling interval of every checker.
 */

export interface EndpointCheckSpec {
  id: string;
  /** What the checkers request (a verdict endpoint on 127.0.0.1). */
  url: string;
  failureThreshold: number;
  /** Route 53 runs about 15; fewer keep tests fast. */
  checkers?: number;
  timeoutMs?: number;
  /** Route 53 considers the check unhealthy when it would be healthy, and the other way round. */
  inverted?: boolean;
  /** HTTP(S)_STR_MATCH: the body must contain this within its first 5,120 bytes. */
  searchString?: string;
}

export interface CalculatedCheckSpec {
  id: string;
  children: string[];
  healthThreshold: number;
}

interface CheckerView {
  healthy: boolean;
  streak: number;
}

interface EndpointCheck extends EndpointCheckSpec {
  views: CheckerView[];
}

/** Share of checkers that must see an endpoint healthy, exclusive (Route 53: "more than 18%"). */
export const healthyCheckerShare = 0.18;

export class Route53HealthCheckers {
  private readonly endpoints = new Map<string, EndpointCheck>();
  private readonly calculated = new Map<string, CalculatedCheckSpec>();
  private readonly status = new Map<string, boolean>();
  /** Requests the checkers sent, by check id. */
  readonly requests = new Map<string, number>();

  constructor(
    private readonly standIn: Route53StandIn,
    private readonly fetchImpl: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  addEndpointCheck(spec: EndpointCheckSpec): void {
    // A new check starts healthy, as Route 53's do until they have data (inverted: its checkers start
    // seeing the endpoint fail, so the check reports healthy).
    const views = Array.from({ length: spec.checkers ?? 3 }, () => ({ healthy: !spec.inverted, streak: 0 }));
    this.endpoints.set(spec.id, { ...spec, views });
    this.status.set(spec.id, true);
    this.standIn.setHealth(spec.id, true);
  }

  addCalculatedCheck(spec: CalculatedCheckSpec): void {
    this.calculated.set(spec.id, spec);
    this.status.set(spec.id, true);
    this.standIn.setHealth(spec.id, true);
  }

  isHealthy(id: string): boolean {
    const status = this.status.get(id);
    if (status === undefined) throw new Error(`no health check ${id}`);
    return status;
  }

  /** One interval: every checker polls every endpoint once, then calculated checks are re-derived. */
  async tick(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map((check) => this.poll(check)));
    for (const check of this.endpoints.values()) {
      const healthyViews = check.views.filter((v) => v.healthy).length;
      const healthy = healthyViews > check.views.length * healthyCheckerShare;
      this.set(check.id, check.inverted ? !healthy : healthy);
    }
    for (const check of this.calculated.values()) {
      const healthyChildren = check.children.filter((child) => this.status.get(child) ?? true).length;
      this.set(check.id, healthyChildren >= check.healthThreshold);
    }
  }

  private set(id: string, healthy: boolean): void {
    this.status.set(id, healthy);
    this.standIn.setHealth(id, healthy);
  }

  private async poll(check: EndpointCheck): Promise<void> {
    await Promise.all(
      check.views.map(async (view) => {
        const ok = await this.request(check);
        if (ok === view.healthy) {
          view.streak = 0;
          return;
        }
        view.streak++;
        if (view.streak >= check.failureThreshold) {
          view.healthy = ok;
          view.streak = 0;
        }
      }),
    );
  }

  private async request(check: EndpointCheck): Promise<boolean> {
    this.requests.set(check.id, (this.requests.get(check.id) ?? 0) + 1);
    try {
      const response = await this.fetchImpl(check.url, {
        redirect: "manual",
        signal: AbortSignal.timeout(check.timeoutMs ?? 2000),
      });
      const body = Buffer.from(await response.arrayBuffer())
        .subarray(0, 5120)
        .toString("utf8");
      const status = response.status >= 200 && response.status < 400;
      return status && (check.searchString === undefined || body.includes(check.searchString));
    } catch {
      return false;
    }
  }
}
