// A features module that fails while loading.
export const x = 1;
throw new Error("database password not set");
