package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;
import static org.vigil.registry.http.Handlers.created;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.model.Tier;
import org.vigil.registry.store.OrganisationStore;

/**
 * Organisations, doctors and teams ({@link DoctorAccessApi} has doctors' tokens and activation). Operations staff
 * change them; any signed-in caller may read the structure (names of clinics and teams are not patient data), a
 * doctor only her own doctor record.
 */
record OrganisationsApi(Handlers h, OrganisationStore store) {

    void mount(Router api) {
        api.post("/organisations").handler(admin(this::createOrganisation));
        api.get("/organisations").handler(ctx -> {
            Long parentId = Json.queryId(ctx, "parentId");
            String tier = ctx.queryParams().get("tier");
            if (tier != null && Tier.NAMES.find(tier) == null) {
                throw ApiException.invalid("tier", "tier must be one of " + Tier.NAMES.allowed());
            }
            h.page(ctx, (after, limit) -> store.organisations(parentId, tier, after, limit));
        });
        api.get("/organisations/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "organisation");
            h.one(ctx, "organisation", () -> store.organisation(id));
        });

        api.patch("/organisations/:id").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "organisation");
            long parentId = Json.requiredId(Json.body(ctx), "parentId");
            String actor = Principal.of(ctx).name();
            h.ok(ctx, h.blocking(() -> store.moveOrganisation(id, parentId, actor)));
        }));

        api.post("/doctors").handler(admin(this::createDoctor));
        api.get("/doctors").handler(admin(ctx -> {
            Long organisationId = Json.queryId(ctx, "organisationId");
            h.page(ctx, (after, limit) -> store.doctors(organisationId, after, limit));
        }));
        api.get("/doctors/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "doctor");
            Long scope = Principal.scope(ctx);
            h.one(ctx, "doctor", () -> scope == null || scope == id ? store.doctor(id) : Optional.empty());
        });

        api.post("/teams").handler(admin(this::createTeam));
        api.get("/teams").handler(ctx -> {
            Long organisationId = Json.queryId(ctx, "organisationId");
            Long doctorId = Json.queryId(ctx, "doctorId");
            h.page(ctx, (after, limit) -> store.teams(organisationId, doctorId, after, limit));
        });
        api.get("/teams/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "team");
            h.one(ctx, "team", () -> store.team(id));
        });
        api.post("/teams/:id/members").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "team");
            long doctorId = Json.requiredId(Json.body(ctx), "doctorId");
            String actor = Principal.of(ctx).name();
            h.ok(ctx, h.blocking(() -> store.addMember(id, doctorId, actor)));
        }));
        api.delete("/teams/:id/members/:doctorId").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "team");
            long doctorId = Json.pathId(ctx, "doctorId", "doctor");
            String actor = Principal.of(ctx).name();
            h.ok(ctx, h.blocking(() -> store.removeMember(id, doctorId, actor)));
        }));
    }

    private void createOrganisation(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", Handlers.NAME_MAX);
        Tier tier = Tier.NAMES.find(Json.requiredString(body, "tier", 20));
        if (tier == null) {
            throw ApiException.invalid("tier", "tier must be one of " + Tier.NAMES.allowed());
        }
        Long parentId = Handlers.optionalId(body, "parentId");
        String actor = Principal.of(ctx).name();
        created(ctx, h.blocking(() -> store.createOrganisation(name, tier, parentId, actor)));
    }

    private void createDoctor(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", Handlers.NAME_MAX);
        long organisationId = Json.requiredId(body, "organisationId");
        String actor = Principal.of(ctx).name();
        created(ctx, h.blocking(() -> store.createDoctor(name, organisationId, actor)));
    }

    private void createTeam(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", Handlers.NAME_MAX);
        long organisationId = Json.requiredId(body, "organisationId");
        List<Long> doctorIds = Handlers.ids(body, "doctorIds");
        String actor = Principal.of(ctx).name();
        created(ctx, h.blocking(() -> store.createTeam(name, organisationId, doctorIds, actor)));
    }
}
