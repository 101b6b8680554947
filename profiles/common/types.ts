import { codeType, simpleType } from '../machinery/simpleType.ts';

/**
 * Simple types shared by flexgate's profiles. Each is a subset of the type
 * the official ESMP schemas give the same element, so a value valid here is
 * valid there; where ESMP allows several spellings of one value, the profile
 * keeps one (so documents rebuild to the same text).
 */

export const Identifier60 = simpleType({
  name: 'Identifier60',
  base: 'xs:string',
  minLength: 1,
  maxLength: 60,
  description: 'An identifier (mRID) of 1 to 60 characters',
});

export const Identifier35 = simpleType({
  name: 'Identifier35',
  base: 'xs:string',
  minLength: 1,
  maxLength: 35,
  description: 'An identifier (mRID) of 1 to 35 characters, the limit of the constraint network element document',
});

export const PartyIdentifier = simpleType({
  name: 'PartyIdentifier',
  base: 'xs:string',
  minLength: 1,
  maxLength: 16,
  description: 'A market participant id (EIC or GB national code)',
});

export const ResourceIdentifier = simpleType({
  name: 'ResourceIdentifier',
  base: 'xs:string',
  minLength: 1,
  maxLength: 60,
  description: 'A resource id of the DSO (ANM resource id)',
});

export const RevisionNumber = simpleType({
  name: 'RevisionNumber',
  base: 'xs:string',
  pattern: '[1-9][0-9]{0,2}',
  description: 'Revision 1 to 999, without leading zeros',
});

export const CreatedDateTime = simpleType({
  name: 'CreatedDateTime',
  base: 'xs:dateTime',
  pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z',
  description: 'UTC date and time to the second, YYYY-MM-DDTHH:MM:SSZ',
});

export const IntervalBound = simpleType({
  name: 'IntervalBound',
  base: 'xs:string',
  pattern: '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):(00|30)Z',
  description: 'UTC interval bound on the half-hour settlement grid, YYYY-MM-DDTHH:MMZ',
});

export const Resolution = simpleType({
  name: 'Resolution',
  base: 'xs:duration',
  pattern: 'PT30M',
  codes: [{ code: 'PT30M', title: 'thirty minutes, the settlement period' }],
  description: 'Resolution of every period',
});

export const Position = simpleType({
  name: 'Position',
  base: 'xs:integer',
  pattern: '[1-9][0-9]{0,5}',
  minInclusive: 1,
  maxInclusive: 999_999,
  description: 'A position 1, 2, 3…',
});

export const Kilowatts = simpleType({
  name: 'Kilowatts',
  base: 'xs:decimal',
  pattern: '-?(0|[1-9][0-9]{0,9})',
  minInclusive: -2_000_000_000,
  maxInclusive: 2_000_000_000,
  description: 'Whole kilowatts (unit KWT), signed',
});

export const KilowattDifference = simpleType({
  name: 'KilowattDifference',
  base: 'xs:decimal',
  pattern: '-?(0|[1-9][0-9]{0,9})',
  minInclusive: -4_000_000_000,
  maxInclusive: 4_000_000_000,
  description: 'A difference of two kilowatt values, whole kW',
});

export const ReasonText = simpleType({ name: 'ReasonText', base: 'xs:string', minLength: 1, maxLength: 512, description: 'Free text of a reason' });

export const MarketRole = codeType('MarketRole', 'Role of a market participant', [
  { code: 'A50', title: 'Distribution system operator (DSO)' },
  { code: 'A56', title: 'Flexibility service provider (FSP)' },
]);

export const PartyCodingScheme = codeType('PartyCodingScheme', 'Coding scheme of a party id', [
  { code: 'A01', title: 'EIC' },
  { code: 'NGB', title: 'GB national coding scheme' },
]);

export const ResourceCodingScheme = codeType('ResourceCodingScheme', 'Coding scheme of a resource id: ANM resource ids are GB national codes', [
  { code: 'NGB', title: 'GB national coding scheme' },
]);

export const AreaCodingScheme = codeType('AreaCodingScheme', 'Coding scheme of an area id', [{ code: 'A01', title: 'EIC' }]);

/** Every flexgate document concerns the GB network; ESMP requires the area on several elements. */
export const GbArea = codeType('GbArea', 'The area: Great Britain', [{ code: '10YGB----------A', title: 'GB control area (EIC)' }], 'xs:string');

export const KilowattUnit = codeType('KilowattUnit', 'Unit of every quantity', [{ code: 'KWT', title: 'kilowatt' }]);

export const RedispatchProcess = codeType('RedispatchProcess', 'Process type', [{ code: 'A41', title: 'Redispatch process' }]);

export const SequentialCurve = codeType('SequentialCurve', 'Curve type', [{ code: 'A01', title: 'Sequential fixed size block' }]);
