/** Certificates' public parts an instance received in a bundle, part of `Database` (gateway/store/schema.ts). */
export interface PortabilityTables {
  portability_certificates: PortabilityCertificateTable;
}

export interface PortabilityCertificateTable {
  serial: string;
  urn: string;
  status: string;
  pem: string;
}
