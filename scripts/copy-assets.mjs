// Build step: nothing to copy yet beyond what tsc emits; profiles/ ship as they are.
