"""Library imports and exports: a person's history from Letterboxd, IMDb or Trakt in,
their library out (library_transfer/README in the main README's "Imports" section).

`formats` reads an upload into rows (or refuses it with `BadFile`), `matching` finds
each row's movie, `job` runs an import in batches through the `ImportEntries` command,
`export` writes the ZIP."""
