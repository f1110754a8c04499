"""Pure rules over plain values: no database, no Flask, no clock of their own."""
