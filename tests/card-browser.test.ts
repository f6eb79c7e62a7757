import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { openCard, writePkcs12 } from '@mydata/demo';
import { openNationalCa } from '@mydata/server';
import { describe, expect, it } from 'vitest';
import { CardFileError, openCardFile } from '../packages/web/src/card/pkcs12.ts';

/** The portal's in-browser card reader (WebCrypto) against the demo card files. */
describe("The portal's citizen-certificate card reader", () => {
  const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

  it('opens a card with its PIN and signs a challenge the way the platform verifies it', async () => {
    const ca = await openNationalCa();
    const issued = await ca.issue({ nationalId: 'A123456789', commonName: '測試' });
    const file = writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' });
    const card = await openCardFile(ab(file), '123456');
    const cert = new X509Certificate(Buffer.from(card.certificate, 'base64'));
    expect(cert.subject).toContain('A123456789');
    // The same certificate the demo's own reader finds.
    expect(card.certificate).toBe(openCard(file, '123456').certificate);
    const text = 'MYDATA-CITIZEN-CERTIFICATE-SIGN-IN-V1\nhttp://localhost:8080\nid\nnonce';
    const signature = Buffer.from(await card.sign(text), 'base64url');
    expect(signature).toHaveLength(64);
    expect(
      verify(
        'sha256',
        Buffer.from(text),
        {
          key: createPublicKey(cert.publicKey.export({ format: 'pem', type: 'spki' })),
          dsaEncoding: 'ieee-p1363',
        },
        signature,
      ),
    ).toBe(true);

    await expect(openCardFile(ab(file), '654321')).rejects.toEqual(new CardFileError('wrong-pin'));
    await expect(openCardFile(ab(Buffer.from('not a card')), '123456')).rejects.toBeInstanceOf(CardFileError);
    const damaged = Buffer.from(file);
    damaged[damaged.length - 40] = (damaged[damaged.length - 40] ?? 0) ^ 1;
    await expect(openCardFile(ab(damaged), '123456')).rejects.toBeInstanceOf(CardFileError);
  });
});
