/**
 * The demo card tool, standing in for a card reader and its driver:
 *
 *   tsx packages/demo/src/card/cli.ts sign-in --card <file.p12> --pin <PIN> [--platform <url>]
 *   tsx packages/demo/src/card/cli.ts sign --card <file.p12> --pin <PIN> --text <challenge text>
 *   tsx packages/demo/src/card/cli.ts show --card <file.p12> --pin <PIN>
 *
 * `sign-in` asks the platform for a challenge, signs it and prints the answer and the session cookie.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openCard, signInWithCard } from './card.ts';
import { CardError } from './pkcs12.ts';

const USAGE =
  'usage: card <sign-in|sign|show> --card <file.p12> --pin <PIN> [--platform <url>] [--text <text>]';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      card: { type: 'string' },
      pin: { type: 'string' },
      platform: { type: 'string', default: process.env.PUBLIC_URL ?? 'http://localhost:8080' },
      text: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (!command || !values.card || !values.pin) {
    console.error(USAGE);
    return 2;
  }
  const card = openCard(readFileSync(values.card), values.pin);
  if (command === 'show') {
    const cert = new X509Certificate(Buffer.from(card.certificate, 'base64'));
    console.log(
      JSON.stringify(
        {
          subject: cert.subject,
          issuer: cert.issuer,
          validTo: cert.validTo,
          serialNumber: cert.serialNumber,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (command === 'sign') {
    if (!values.text) {
      console.error('sign needs --text');
      return 2;
    }
    console.log(
      JSON.stringify({
        certificate: card.certificate,
        signature: card.sign(values.text.replaceAll('\\n', '\n')),
      }),
    );
    return 0;
  }
  if (command === 'sign-in') {
    const result = await signInWithCard({ platformUrl: values.platform, card });
    console.log(
      JSON.stringify({ status: result.status, body: result.body, cookies: result.cookies }, null, 2),
    );
    return result.status === 200 ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof CardError ? `card: ${error.message}` : error);
    process.exit(1);
  },
);
