"""People and organisations: the counterparties a sales team works with."""
