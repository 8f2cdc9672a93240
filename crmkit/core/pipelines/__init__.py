"""Sales pipelines as a built-in plugin: configurable pipelines of stages, deals moving through
them on the entity framework's workflow, line items from a price list, loss reasons and the board."""
