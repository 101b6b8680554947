const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;
const UUID_HEX = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;

/**
 * flexgate's document ids are UUIDs; as mRIDs they travel as their 32 hex
 * digits, which fit every ESMP document (the constraint document allows 35
 * characters). Any other id travels as it is.
 */
export function mridOfDocument(id: string): string {
  return UUID.test(id) ? id.replaceAll('-', '') : id;
}

/** The document an mRID names: 32 lowercase hex digits are a flexgate UUID, anything else is the id itself. */
export function documentIdOfMrid(mRID: string): string {
  const hex = UUID_HEX.exec(mRID);
  return hex ? hex.slice(1).join('-') : mRID;
}
