/**
 * The folder, inside a component folder, where the server keeps what it derived from the
 * component's files (optimised graphs, remembered fingerprints). A folder, so the component's
 * content hash (which reads only the files directly in the component folder) never includes it.
 */
export const COMPONENT_CACHE_FOLDER = '.afd-optimized';
