"""EPCIS 2.0 / CBV 2.0 vocabularies: the short names a document may use, and their URI forms.

The lists are the standard's (EPCIS 2.0 JSON Schema enums, CBV 2.0 JSON-LD contexts); the conformance tests
compare them with the official files so that a drift is noticed.
"""

from __future__ import annotations

import re

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Other spellings of the EPCIS 2.0 context that documents in the wild use; each makes the short CBV names mean
# the same terms.
EPCIS_CONTEXTS = frozenset(
    {
        EPCIS_CONTEXT,
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)
SCHEMA_VERSION = "2.0"
CBV_BASE = "https://ref.gs1.org/cbv/"

BIZ_STEPS = frozenset(
    {
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
        "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
        "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting", "installing",
        "killing", "loading", "other", "packing", "picking", "receiving", "removing", "repackaging",
        "repairing", "replacing", "reserving", "retail_selling", "shipping", "staging_outbound",
        "stock_taking", "stocking", "storing", "transporting", "unloading", "unpacking", "void_shipping",
        "sensor_reporting", "sampling",
    }
)  # fmt: skip

DISPOSITIONS = frozenset(
    {
        "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired",
        "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other",
        "partially_dispensed", "recalled", "reserved", "retail_sold", "returned", "sellable_accessible",
        "sellable_not_accessible", "stolen", "unknown", "available", "completeness_verified",
        "completeness_inferred", "conformant", "container_open", "mismatch_instance", "mismatch_class",
        "mismatch_quantity", "needs_replacement", "non_conformant", "unavailable",
    }
)  # fmt: skip

ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})

BIZ_TRANSACTION_TYPES = frozenset(
    {
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    }
)

SOURCE_DEST_TYPES = frozenset({"owning_party", "possessing_party", "location"})

MEASUREMENT_TYPES = frozenset(
    {
        "AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Radioactivity", "Altitude",
        "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle", "AngularAcceleration",
        "AngularMomentum", "AngularVelocity", "Area", "Capacitance", "Conductance", "Conductivity", "Count",
        "Density", "Dimensionless", "DoseEquivalent", "DoseEquivalentRate", "DynamicViscosity",
        "ElectricCharge", "ElectricCurrent", "ElectricCurrentDensity", "ElectricFieldStrength", "Energy",
        "Exposure", "Force", "Frequency", "Illuminance", "Inductance", "Irradiance", "KinematicViscosity",
        "Length", "LinearMomentum", "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux",
        "MagneticFluxDensity", "MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate",
        "MassPerAreaTime", "MemoryCapacity", "MolalityOfSolute", "MolarEnergy", "MolarMass", "MolarVolume",
        "Power", "Pressure", "RadiantFlux", "RadiantIntensity", "RelativeHumidity", "Resistance",
        "Resistivity", "SolidAngle", "SpecificVolume", "Speed", "SurfaceDensity", "SurfaceTension",
        "Temperature", "Time", "Torque", "Voltage", "Volume", "VolumeFlowRate", "VolumeFraction",
        "VolumetricFlux", "Wavenumber",
    }
)  # fmt: skip

SENSOR_ALERT_TYPES = frozenset({"ALARM_CONDITION", "ERROR_CONDITION"})

COMPONENTS = frozenset(
    {
        "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
        "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude",
    }
)  # fmt: skip

# The URI forms of CBV terms that EPCIS 1.x and early 2.0 drafts used; the 2.0 schema wants the short name.
_CBV_URI = {
    "bizStep": re.compile(
        r"^(?:https?://ref\.gs1\.org/cbv/BizStep-|https?://ns\.gs1\.org/cbv/BizStep-|urn:epcglobal:cbv:bizstep:)"
        r"(?P<term>[a-z_]+)$"
    ),
    "disposition": re.compile(
        r"^(?:https?://ref\.gs1\.org/cbv/Disp-|https?://ns\.gs1\.org/cbv/Disp-|urn:epcglobal:cbv:disp:)"
        r"(?P<term>[a-z_]+)$"
    ),
    "errorReason": re.compile(
        r"^(?:https?://ref\.gs1\.org/cbv/ER-|https?://ns\.gs1\.org/cbv/ER-|urn:epcglobal:cbv:er:)"
        r"(?P<term>[a-z_]+)$"
    ),
    "bizTransactionType": re.compile(
        r"^(?:https?://ref\.gs1\.org/cbv/BTT-|https?://ns\.gs1\.org/cbv/BTT-|urn:epcglobal:cbv:btt:)"
        r"(?P<term>[a-z]+)$"
    ),
    "sourceDestType": re.compile(
        r"^(?:https?://ref\.gs1\.org/cbv/SDT-|https?://ns\.gs1\.org/cbv/SDT-|urn:epcglobal:cbv:sdt:)"
        r"(?P<term>[a-z_]+)$"
    ),
}
_TERMS = {
    "bizStep": BIZ_STEPS,
    "disposition": DISPOSITIONS,
    "errorReason": ERROR_REASONS,
    "bizTransactionType": BIZ_TRANSACTION_TYPES,
    "sourceDestType": SOURCE_DEST_TYPES,
}
# The schema refuses these namespaces as "other" URIs: a CBV term must be written as its short name.
_RESERVED_CBV = re.compile(r"^(?:urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/)")
_RESERVED_GS1_VOC = re.compile(r"^https?://(?:www\.)?gs1\.org/voc/")
_GS1_VOC_TERM = re.compile(r"^https?://(?:www\.)?gs1\.org/voc/(?P<term>[A-Za-z_]+)$")


# Business steps the platform's trades need that CBV 2.0 lacks. CBV lets a custom step be any URI; these are
# written in documents as their URIs and kept in columns under the short name, like CBV terms, for translation.
PLATFORM_BIZ_STEPS = {
    "harvesting": "urn:xinren:voc:bizstep:harvesting",
    "out_for_delivery": "urn:xinren:voc:bizstep:out_for_delivery",
}
_PLATFORM_BIZ_STEP_URIS = {uri: term for term, uri in PLATFORM_BIZ_STEPS.items()}


class UnknownTerm(ValueError):
    """The value names a term of a standard vocabulary that does not exist."""


def cbv_term(kind: str, value: str) -> str | None:
    """The short CBV name for `value` (a short name or one of its URI forms), or None for a custom URI.

    Raises UnknownTerm when `value` looks like a CBV term but is none.
    """
    terms = _TERMS[kind]
    if value in terms:
        return value
    match = _CBV_URI[kind].match(value)
    if match is not None:
        if match["term"] in terms:
            return match["term"]
        raise UnknownTerm(value)
    if _RESERVED_CBV.match(value) or ":" not in value:
        raise UnknownTerm(value)
    return None


def biz_step_normalise(value: str) -> tuple[str, str]:
    """(the value to index, the value to write in the document) for a bizStep; raises UnknownTerm.

    CBV steps index and write their short name; the platform's own steps index their short name and write their
    URI; any other URI is indexed and written as it is.
    """
    if value in PLATFORM_BIZ_STEPS:
        return value, PLATFORM_BIZ_STEPS[value]
    if value in _PLATFORM_BIZ_STEP_URIS:
        return _PLATFORM_BIZ_STEP_URIS[value], value
    short = cbv_term("bizStep", value)
    return (short, short) if short is not None else (value, value)


def gs1_voc_term(terms: frozenset[str], value: str) -> str | None:
    """The short GS1 Web Vocabulary name for `value`, or None for another URI; raises UnknownTerm."""
    if value in terms:
        return value
    match = _GS1_VOC_TERM.match(value)
    if match is not None and match["term"] in terms:
        return match["term"]
    if _RESERVED_GS1_VOC.match(value) or ":" not in value:
        raise UnknownTerm(value)
    return None


def cbv_uri(kind: str, term: str) -> str:
    """The full URI of a CBV short name (what JSON-LD expands it to)."""
    prefix = {"bizStep": "BizStep-", "disposition": "Disp-"}[kind]
    return f"{CBV_BASE}{prefix}{term}"
