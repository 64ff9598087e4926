import dns2 from "dns2";

/*
 * Public DNS as one region's resolver sees it, on 127.0.0.1 over UDP (dns2): the login hostname
 * answers with the record Route 53 serves now (a CNAME to a provider's path, or its A / AAAA
 * addresses). Tests set the answer, as a failover or a stuck record would.
 */

export type PublicAnswer =
  | { type: "CNAME"; target: string }
  | { type: "A" | "AAAA"; addresses: string[] }
  | { type: "NXDOMAIN" };

export interface PublicDnsStandIn {
  /** `127.0.0.1:PORT`, as `node:dns` Resolver#setServers takes it. */
  server: string;
  answer(name: string, answer: PublicAnswer): void;
  /** Queries received, by name. */
  queries: string[];
  close(): Promise<void>;
}

const { Packet } = dns2;

export async function startPublicDnsStandIn(): Promise<PublicDnsStandIn> {
  const answers = new Map<string, PublicAnswer>();
  const queries: string[] = [];
  const server = dns2.createUDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    const name = (question?.name ?? "").toLowerCase().replace(/\.$/, "");
    queries.push(name);
    const answer = answers.get(name);
    if (!question || !answer || answer.type === "NXDOMAIN") {
      response.header.rcode = 3; // NXDOMAIN
      send(response);
      return;
    }
    if (answer.type === "CNAME") {
      response.answers.push({
        name: question.name,
        type: Packet.TYPE.CNAME,
        class: Packet.CLASS.IN,
        ttl: 60,
        domain: answer.target,
      } as never);
    } else {
      const type = answer.type === "A" ? Packet.TYPE.A : Packet.TYPE.AAAA;
      if (question.type === type) {
        for (const address of answer.addresses) {
          response.answers.push({
            name: question.name,
            type,
            class: Packet.CLASS.IN,
            ttl: 60,
            address,
          } as never);
        }
      }
    }
    send(response);
  });
  await server.listen(0, "127.0.0.1");
  const address = server.address();
  if (!address) throw new Error("the DNS stand-in did not bind");
  return {
    server: `127.0.0.1:${address.port}`,
    answer: (name, answer) => answers.set(name.toLowerCase().replace(/\.$/, ""), answer),
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
