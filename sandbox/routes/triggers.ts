/**
 * Pipeline trigger tokens (lib/api/ci/triggers.rb, doc/api/pipeline_triggers.md):
 * `GET/POST /projects/:id/triggers`, `GET/PUT/DELETE /projects/:id/triggers/:trigger_id`.
 *
 * - Listing and reading need `admin_build`, creating and deleting `manage_trigger`: both Maintainer
 *   (403 otherwise); an unknown trigger id is ActiveRecord's `404 Not found` (`triggers.find`).
 * - `description` is required on create (Grape: `400 {"error":"description is missing"}`);
 *   `expires_at` (a DateTime) is optional and must be before today + 365 days
 *   (app/models/ci/trigger.rb `expires_at_before_instance_max_expiry_date`): else
 *   `400 Bad request - Expires at must be before <date>`. A sandbox playing a GitLab without trigger
 *   expiry (setting `triggerTokenExpiration: false`) ignores it and never returns it.
 * - The value (`glptt-` + 40 hex) is shown in full only to the trigger's owner (the user who made
 *   it); others see four characters. `PUT` changes the description (only the owner may:
 *   `admin_trigger`); `DELETE` deletes the trigger (204).
 */
import { ModelError, badRequest, forbidden, recordNotFound } from "../errors";
import { triggerEntity } from "../entities";
import type { Project, Trigger } from "../model";
import { PAGINATION_PARAMS } from "../pagination";
import { type ParamSpec, str, time } from "../params";
import {
  type ApiContext,
  type ApiRoute,
  created,
  currentUser,
  findSource,
  list,
  noContent,
  ok,
  params,
  routeParam,
} from "./api";

const TRIGGER_ID: ParamSpec = { name: "trigger_id", type: "integer", required: true };

/** The project, checked for Maintainer (`admin_build` / `manage_trigger`). */
function managedProject(ctx: ApiContext): Project {
  const user = currentUser(ctx);
  const project = findSource(ctx, "project", routeParam(ctx, "id")).entity as Project;
  if (!ctx.model.canManageTriggers(user, project)) throw forbidden();
  return project;
}

function findTrigger(ctx: ApiContext, project: Project, id: number): Trigger {
  const t = ctx.model.trigger(project.id, id);
  if (!t) throw recordNotFound();
  return t;
}

const present = (ctx: ApiContext) => (t: Trigger) => triggerEntity(ctx.baseUrl, ctx.model, t, ctx.user);

export const triggerRoutes: ApiRoute[] = [
  {
    method: "GET",
    path: "/projects/:id/triggers",
    handler(ctx) {
      const p = params(ctx, PAGINATION_PARAMS);
      const project = managedProject(ctx);
      return list(ctx, ctx.model.triggers(project.id), present(ctx), p);
    },
  },
  {
    method: "GET",
    path: "/projects/:id/triggers/:trigger_id",
    handler(ctx) {
      const p = params(ctx, [TRIGGER_ID]);
      const project = managedProject(ctx);
      return ok(present(ctx)(findTrigger(ctx, project, p.trigger_id as number)));
    },
  },
  {
    method: "POST",
    path: "/projects/:id/triggers",
    handler(ctx) {
      // A GitLab without trigger expiry does not declare `expires_at`: Grape drops it unread.
      const p = params(ctx, [
        { name: "description", type: "string", required: true },
        ...(ctx.model.triggerExpirySupported() ? [{ name: "expires_at", type: "datetime" } as const] : []),
      ]);
      const project = managedProject(ctx);
      try {
        const t = ctx.model.createTrigger(
          project,
          currentUser(ctx),
          str(p, "description") ?? "",
          time(p, "expires_at") ?? null,
        );
        return created(present(ctx)(t));
      } catch (e) {
        if (e instanceof ModelError) throw badRequest(e.message);
        throw e;
      }
    },
  },
  {
    method: "PUT",
    path: "/projects/:id/triggers/:trigger_id",
    handler(ctx) {
      const p = params(ctx, [TRIGGER_ID, { name: "description", type: "string" }]);
      const user = currentUser(ctx);
      const project = findSource(ctx, "project", routeParam(ctx, "id")).entity as Project;
      const t = findTrigger(ctx, project, p.trigger_id as number);
      if (!ctx.model.canManageTriggers(user, project) || t.ownerId !== user.id) {
        throw forbidden("The current user is not authorized to update the pipeline trigger token");
      }
      ctx.model.updateTrigger(t, str(p, "description"));
      return ok(present(ctx)(t));
    },
  },
  {
    method: "DELETE",
    path: "/projects/:id/triggers/:trigger_id",
    handler(ctx) {
      const p = params(ctx, [TRIGGER_ID]);
      const project = managedProject(ctx);
      ctx.model.deleteTrigger(findTrigger(ctx, project, p.trigger_id as number));
      return noContent();
    },
  },
];
