// The dashboard page: renders the snapshot the server pushes over server-sent events, and sends the
// operator's actions. Every value from the server is set as text (never parsed as HTML).
(() => {
  const query = new URLSearchParams(location.search);
  const token = query.get("token") ?? "";
  // Which sites the page shows (many sites: a page at a time, by tag): kept in the address.
  const view = { tags: query.getAll("tag"), page: Number(query.get("page") ?? "1") || 1 };
  const $ = (id) => document.getElementById(id);
  let latest;

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const time = (iso) => (iso ? iso.slice(11, 19) : "");
  const pct = (value) => (value === null || value === undefined ? "n/a" : `${value.toFixed(3)}%`);
  const weightsText = (weights) =>
    Object.entries(weights)
      .map(([provider, weight]) => `${provider} ${weight}`)
      .join(", ");

  function weightBar(site) {
    const providers = site.providers.map((p) => p.id);
    const weights = site.state?.weights ?? {};
    const total = providers.reduce((sum, p) => sum + (weights[p] ?? 0), 0) || 1;
    return el(
      "div",
      { class: "weights", role: "img", "aria-label": `weights ${weightsText(weights)}` },
      providers.map((p, i) => {
        const w = weights[p] ?? 0;
        const seg = el("div", {
          class: `seg seg-${i % 3}`,
          "data-provider": p,
          text: w > 0 ? `${p} ${w}` : "",
        });
        seg.style.flexGrow = String(w / total);
        return seg;
      }),
    );
  }

  function pendingLine(site) {
    const dns = site.state?.dns;
    if (!dns) return null;
    const how =
      dns.status === "rejected"
        ? `refused by Route 53: ${dns.lastError ?? ""}`
        : dns.status === "submitted"
          ? `change ${dns.changeId} submitted, waiting for INSYNC`
          : `not accepted yet${dns.lastError ? ` (${dns.lastError})` : ""}`;
    return el("div", { class: "pending", text: `DNS ${dns.purpose} to ${weightsText(dns.weights)}: ${how}` });
  }

  function approvalPanel(site, snapshot) {
    const approval = site.state?.approval;
    if (!approval) return null;
    const canApprove = "as" in snapshot.approval;
    // The button is the one on the Slack message: it can be pressed once that message is posted.
    const button = el("button", {
      class: "primary",
      "data-action": "approve",
      "data-site": site.id,
      text: "Approve failback",
      disabled: !canApprove || !approval.inSlack,
      title: !canApprove
        ? snapshot.approval.unavailable
        : approval.inSlack
          ? `clicks as Slack user ${snapshot.approval.as}`
          : "waiting for the request to be posted in Slack",
      onclick: () => act(site.id, "approve", { approvalId: approval.id }, button),
    });
    return el(
      "div",
      { class: "approval", "data-approval": approval.id },
      el(
        "div",
        {},
        el("strong", { text: "Failback approval requested" }),
        el("div", {
          class: "sub",
          text: `${site.providers[0]?.id ?? "the primary"} is healthy again; approval ${approval.id} expires ${approval.expiresAt.replace("T", " ").slice(0, 19)} UTC`,
        }),
      ),
      button,
    );
  }

  function controls(site) {
    const frozen = site.state?.name === "frozen";
    const reason = el("input", {
      type: "text",
      "aria-label": "reason",
      value: frozen ? "resume automatic failover" : "hold: maintenance on the IdPs",
    });
    const button = el("button", {
      "data-action": frozen ? "unfreeze" : "freeze",
      text: frozen ? "Unfreeze" : "Freeze",
      disabled: !site.state,
      onclick: () => act(site.id, frozen ? "unfreeze" : "freeze", { reason: reason.value }, button),
    });
    return el("div", { class: "controls" }, reason, button);
  }

  function grid(site, snapshot) {
    return el(
      "table",
      { class: "grid" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { text: "provider" }),
          snapshot.regions.map((r) => el("th", { text: r })),
        ),
      ),
      el(
        "tbody",
        {},
        site.providers.map((p) =>
          el(
            "tr",
            { "data-provider": p.id },
            el(
              "td",
              { class: "provider" },
              el("span", { class: "name", text: p.id }),
              el("span", { class: `pill v-${p.verdict}`, "data-verdict": p.verdict, text: p.verdict }),
              el("div", { class: "sub", text: p.role }),
            ),
            p.regions.map((c) =>
              el(
                "td",
                { class: `cell v-${c.verdict}`, "data-region": c.region, "data-verdict": c.verdict },
                c.latencyMs !== undefined ? el("span", { class: "lat", text: `${c.latencyMs} ms` }) : null,
                el("div", { class: "verdict", text: c.verdict }),
                el("div", {
                  class: "why",
                  text: c.evidence ?? (c.lastRoundAt ? `last round ${time(c.lastRoundAt)}` : "no round yet"),
                }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function savedText(minutes) {
    if (minutes === null || minutes === undefined) return "n/a";
    return Math.abs(minutes) < 1 ? `${Math.round(minutes * 60)} s` : `${minutes.toFixed(1)} min`;
  }

  function sla(site) {
    const s = site.sla;
    if (!s) return el("div", { class: "sub", text: "figures appear once the first minutes are rolled up" });
    const figure = (value, label) =>
      el(
        "div",
        { class: "figure" },
        el("div", { class: "value", text: value }),
        el("div", { class: "label", text: label }),
      );
    return el(
      "div",
      { class: "sla" },
      figure(pct(s.loginAvailabilityPct), `login availability (${site.hostname})`),
      figure(pct(s.primaryAvailabilityPct), "primary availability"),
      figure(savedText(s.failoverSavedMinutes), "sign-in downtime failover saved"),
      s.providers.map((p) =>
        figure(
          pct(p.availabilityPct),
          `${p.id}: ${p.downtimeMinutes} min down, ${p.degradedMinutes} min degraded`,
        ),
      ),
    );
  }

  function readiness(site) {
    const r = site.readiness;
    if (!r) return null;
    const low = r.status !== "complete" || r.readinessPct === null || r.readinessPct < r.minReadinessPct;
    return el(
      "div",
      { class: `readiness ${low ? "readiness-low" : "readiness-ok"}`, "data-readiness": r.status },
      el("div", { class: "sub", text: `${r.headline} · measured ${time(r.at)}` }),
      r.drift.length > 0
        ? el(
            "ul",
            { class: "drift" },
            r.drift.map((d) => el("li", { text: d })),
          )
        : null,
    );
  }

  function siteCard(site, snapshot) {
    const state = site.state;
    return el(
      "article",
      { class: "panel site", "data-site": site.id },
      el(
        "div",
        { class: "site-head" },
        el(
          "div",
          {},
          el("div", { class: "hostname", text: site.hostname }),
          el("div", {
            class: "sub",
            text: state
              ? `site ${site.id} · serving ${state.active} · since ${time(state.since)} · version ${state.version}`
              : `site ${site.id} · not evaluated yet`,
          }),
        ),
        el(
          "div",
          { class: "badges" },
          site.tags.map((tag) => el("span", { class: "chip tag", text: tag })),
          el("span", {
            class: `state state-${state?.name ?? "none"}`,
            "data-state": state?.name ?? "none",
            text: state?.name ?? "starting",
          }),
        ),
      ),
      el("h3", { text: "Route 53 weights" }),
      weightBar(site),
      pendingLine(site),
      state?.failback
        ? el("div", {
            class: "sub",
            text: `failback step ${state.failback.step} of ${state.failback.steps}, approved by ${state.failback.approvedBy}`,
          })
        : null,
      state?.frozen
        ? el("div", { class: "sub", text: `frozen by ${state.frozen.by}: ${state.frozen.reason}` })
        : null,
      state?.paused
        ? el("div", {
            class: "pending",
            "data-paused": state.paused.until,
            text: `flapping: ${state.paused.changes} automatic DNS changes in an hour; automatic changes paused until ${time(state.paused.until)} UTC (or idpctl resume --site ${site.id})`,
          })
        : null,
      site.troubles.length > 0
        ? el(
            "ul",
            { class: "troubles" },
            site.troubles.map((t) => el("li", { class: `level-${t.level}`, text: t.text })),
          )
        : null,
      approvalPanel(site, snapshot),
      el("h3", { text: "What each region sees" }),
      grid(site, snapshot),
      el("h3", {
        text: site.sla
          ? `SLA so far · ${time(site.sla.from).slice(0, 5)} to ${time(site.sla.to).slice(0, 5)} UTC, whole minutes`
          : "SLA so far",
      }),
      sla(site),
      site.readiness ? el("h3", { text: "Continuity readiness" }) : null,
      readiness(site),
      el("h3", { text: "Operator" }),
      controls(site),
    );
  }

  function timelineItem(entry, withSite) {
    return el(
      "li",
      { class: `tone-${entry.tone} kind-${entry.kind}`, "data-kind": entry.kind },
      el("span", { class: "t", text: time(new Date(entry.at).toISOString()) }),
      el("span", { class: "k", text: entry.kind }),
      el("span", { class: "x", text: withSite && entry.site ? `[${entry.site}] ${entry.text}` : entry.text }),
    );
  }

  /** The address of this page with another filter or page (the token stays). */
  function viewUrl(tags, page) {
    const next = new URLSearchParams({ token });
    for (const tag of tags) next.append("tag", tag);
    if (page > 1) next.set("page", String(page));
    return `?${next}`;
  }

  function filterBar(snapshot) {
    const v = snapshot.view;
    const levels = v.levels;
    const tagLink = (tag, count) => {
      const on = v.tags.includes(tag);
      const tags = on ? v.tags.filter((t) => t !== tag) : [...v.tags, tag];
      return el("a", {
        class: `chip tag${on ? " on" : ""}`,
        href: viewUrl(tags, 1),
        "data-tag": tag,
        text: count === undefined ? tag : `${tag} ${count}`,
      });
    };
    return [
      el(
        "div",
        { class: "counts", "data-matching": v.matching },
        `${v.matching} of ${v.sites} site(s)${v.tags.length ? ` tagged ${v.tags.join(" and ")}` : ""}: `,
        el("strong", { class: "level-3", text: `${levels.now} need someone now` }),
        ` · ${levels.soon} soon · ${levels.look} worth a look · ${levels.fine} fine; those first`,
      ),
      v.allTags.length > 0
        ? el(
            "div",
            { class: "tags" },
            v.tags.length ? el("a", { class: "chip", href: viewUrl([], 1), text: "all sites" }) : null,
            v.allTags.map((t) => tagLink(t.tag, t.sites)),
          )
        : null,
      v.pages > 1
        ? el(
            "div",
            { class: "pager" },
            v.page > 1
              ? el("a", { class: "chip", href: viewUrl(v.tags, v.page - 1), text: "previous" })
              : null,
            el("span", { "data-page": v.page, text: `page ${v.page} of ${v.pages}` }),
            v.page < v.pages
              ? el("a", { class: "chip", href: viewUrl(v.tags, v.page + 1), text: "next" })
              : null,
          )
        : null,
    ];
  }

  function render(snapshot) {
    latest = snapshot;
    document.title =
      snapshot.view.sites > 1
        ? `${snapshot.title} · ${snapshot.view.levels.now} need someone now`
        : `${snapshot.title} · ${snapshot.sites.map((s) => s.state?.name ?? "starting").join(", ")}`;
    $("title").textContent = snapshot.title;
    $("now").textContent = `${snapshot.now.replace("T", " ").slice(0, 19)} UTC`;
    $("speed").textContent = snapshot.speed === 1 ? "wall clock" : `${snapshot.speed}x clock`;
    const banner = $("banner");
    if (snapshot.banner) {
      banner.hidden = false;
      banner.className = `banner tone-${snapshot.banner.tone}`;
      banner.textContent = snapshot.banner.text;
    } else banner.hidden = true;
    const monitor = $("monitor");
    if (snapshot.monitor) {
      const m = snapshot.monitor;
      monitor.hidden = false;
      monitor.textContent = `Monitor impaired in ${m.regions.join(", ")} since ${time(m.since)} UTC: ${m.holding ? "fewer than a quorum of regions can judge, nothing moves automatically (operator commands still work)" : "those regions abstain"}`;
    } else monitor.hidden = true;
    const filter = $("filter");
    const many = snapshot.view.sites > 1;
    filter.hidden = !many;
    if (many) filter.replaceChildren(...filterBar(snapshot).filter(Boolean));
    // Keep what the operator is typing: re-render only when the focus is not in an input.
    if (!(document.activeElement instanceof HTMLInputElement)) {
      $("sites").replaceChildren(...snapshot.sites.map((site) => siteCard(site, snapshot)));
    }
    const entries = [...snapshot.timeline].reverse();
    const withSite = snapshot.sites.length > 1;
    $("timeline").replaceChildren(...entries.map((entry) => timelineItem(entry, withSite)));
  }

  let noticeTimer;
  function notice(text) {
    const node = $("notice");
    node.textContent = text;
    node.classList.add("show");
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => node.classList.remove("show"), 6000);
  }

  async function act(site, action, body, button) {
    button.disabled = true;
    try {
      const response = await fetch(`/api/sites/${encodeURIComponent(site)}/${action}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      notice(answer.message ?? answer.error ?? `HTTP ${response.status}`);
    } catch (error) {
      notice(`could not reach the dashboard server: ${error}`);
    } finally {
      button.disabled = false;
    }
  }

  function connect() {
    const events = new EventSource(`/api/events${viewUrl(view.tags, view.page)}`);
    const link = $("link");
    events.addEventListener("snapshot", (event) => {
      link.textContent = "live";
      link.className = "chip link-live";
      render(JSON.parse(event.data));
    });
    events.addEventListener("error", () => {
      link.textContent = latest ? "reconnecting" : "no connection";
      link.className = "chip link-wait";
    });
  }

  connect();
})();
