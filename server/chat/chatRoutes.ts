import { Router } from 'express';
import { z } from 'zod';
import { ChatReplayQuery } from '../../shared/chat';
import { Slug } from '../../shared/events';
import { BadRequestError } from '../errors';
import type { ChatService } from './ChatService';

/** The chat of an event for its replay, with times relative to the event's start, a page at a time. */
export function chatRoutes(chat: ChatService): Router {
  const router = Router();
  router.get('/api/events/:slug/chat', (req, res) => {
    const slug = Slug.safeParse(req.params.slug);
    const query = ChatReplayQuery.safeParse(req.query);
    if (!slug.success) throw new BadRequestError(z.prettifyError(slug.error));
    if (!query.success) throw new BadRequestError(z.prettifyError(query.error));
    res.set('Cache-Control', 'no-cache').json(chat.replay(slug.data, query.data));
  });
  return router;
}
