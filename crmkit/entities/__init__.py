"""The entity framework: a plugin declares an entity type once and gets its pages, API,
import and export, search, history, optimistic locking and record visibility."""
