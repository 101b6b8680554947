import express, { type Router } from 'express';
import { Problem } from '../../protocol/problem.ts';
import { API_DOCUMENTS } from './documents.ts';
import { apiDocPage, docsIndexPage } from './page.ts';

export const DOCS_PATH = '/docs';

/** The OpenAPI documents of every API: as JSON under each API's root, and browsable under /docs. */
export function apiDocsRouter(): Router {
  const router = express.Router();
  for (const api of API_DOCUMENTS) {
    const json = JSON.stringify(api.document);
    router.get(api.jsonPath, (_req, res) => {
      res.status(200).type('application/json').send(json);
    });
  }
  router.get(DOCS_PATH, (_req, res) => {
    res.status(200).type('text/html').send(docsIndexPage(API_DOCUMENTS));
  });
  router.get(`${DOCS_PATH}/:name`, (req, res) => {
    const api = API_DOCUMENTS.find((d) => d.name === req.params.name);
    if (!api) throw new Problem('request.not-found', `No API documentation named ${req.params.name}; see ${DOCS_PATH}`);
    res.status(200).type('text/html').send(apiDocPage(api));
  });
  return router;
}
