"""Verification and validation: a library of named cases with their sources (``gridmuster
verify``), the validation of the bundled field cases, and the IMO MSC.1/Circ.1533 practice for
reporting a muster or evacuation time (``gridmuster run --imo``)."""
