// Handler stub shared by the corpus specs in this directory.
export const handler = async () => ({ statusCode: 200, body: "ok" });
