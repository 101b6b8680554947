import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { x509 } from './x509.ts';

/** @peculiar/x509 has no class for this extension; its own ASN.1 schemas encode the INTEGER. */
export function crlNumberExtension(crlNumber: number): x509.Extension {
  return new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(crlNumber)));
}

export function crlNumberOf(crl: x509.X509Crl): number | undefined {
  const extension = crl.getExtension(id_ce_cRLNumber);
  return extension ? AsnConvert.parse(extension.value, CRLNumber).value : undefined;
}
