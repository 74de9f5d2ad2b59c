/* A native host running Protocol 2 through libengine.so: S1 and S2 as "two-server" roles on one engine_host, and
 * two users (alice, bob) whose requests travel through this program's transport callback straight into the roles
 * (a real host would put its sockets there). alice sends bob a message in the open round; both servers close it;
 * bob fetches it and both servers' signed inboxes are checked. Then the status paths of the role API.
 * Prints "two-server-host: N passed, M failed"; exit 0 when M == 0. */
#include "engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)
#define OK(expr) do { engine_status s_ = (expr); CHECK(s_ == ENGINE_OK, "%s: %s", #expr, engine_status_name(s_)); } while (0)

/* One user's two connections, one to each server role. */
typedef struct user_link {
    engine_role *servers[2];
    engine_connection *connections[2];
} user_link;

static engine_status transport(void *context, uint32_t server, uint8_t type, const uint8_t *request, size_t request_len,
                               uint8_t *response, size_t capacity, engine_reply *reply)
{
    user_link *l = context;
    if (server < 1 || server > 2) return ENGINE_NOT_FOUND;
    if (type == ENGINE_TRANSPORT_OPEN)
        return engine_connection_open(&l->connections[server - 1], l->servers[server - 1], NULL, response, capacity, reply);
    if (type == ENGINE_TRANSPORT_RESEND_LAST) {
        engine_status s = engine_connection_response(l->connections[server - 1], response, capacity, &reply->length);
        return s;
    }
    return engine_role_process(l->connections[server - 1], type, request, request_len, response, capacity, reply);
}

/* The host loop of a client role (sans I/O): each reply is a message for the server engine_connection_route names,
 * delivered here to the in-process S1/S2 roles over routes[], and the server's answer goes back to the client,
 * until the operation's result. */
static engine_status drive(engine_connection *client, engine_role *servers[2], engine_connection *routes[2], const char *command,
                           uint8_t *result, size_t capacity, size_t *result_len)
{
    static uint8_t message[1 << 16], answer[1 << 16];
    engine_reply reply, server_reply;
    engine_status s = engine_role_process(client, ENGINE_CLIENT_COMMAND, (const uint8_t *)command, strlen(command), message, sizeof message, &reply);
    for (int steps = 0; s == ENGINE_OK && steps < 64; steps++) {
        if (reply.type == ENGINE_CLIENT_RESULT) {
            if (reply.length > capacity) return ENGINE_DESTINATION_TOO_SMALL;
            memcpy(result, message, reply.length);
            *result_len = reply.length;
            return ENGINE_OK;
        }
        if (reply.type == ENGINE_CLIENT_ERROR) return reply.status;
        char route[64];
        size_t route_len = 0;
        if ((s = engine_connection_route(client, route, sizeof route, &route_len)) != ENGINE_OK) return s;
        int i = strcmp(route, "s1") == 0 ? 0 : strcmp(route, "s2") == 0 ? 1 : -1;
        if (i < 0) return ENGINE_NOT_FOUND;
        if (reply.type == ENGINE_CLIENT_OPEN_ROUTE) s = engine_connection_open(&routes[i], servers[i], NULL, answer, sizeof answer, &server_reply);
        else s = engine_role_process(routes[i], reply.type, message, reply.length, answer, sizeof answer, &server_reply);
        if (s != ENGINE_OK) return s;
        s = engine_role_process(client, server_reply.type, answer, server_reply.length, message, sizeof message, &reply);
    }
    return s == ENGINE_OK ? ENGINE_TIMED_OUT : s;
}

static void hex(char *out, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", bytes[i]);
}

/* A secret scalar (32 bytes, < r) and its compressed G1 public key, both as hex. */
static void keypair(uint8_t seed, char sk_hex[65], char pk_hex[97])
{
    uint8_t sk[32], pk[48];
    for (int i = 0; i < 32; i++) sk[i] = (uint8_t)(seed * 31 + i * 7);
    sk[0] &= 0x3f;
    if (engine_bls_public_key(pk, sk) != ENGINE_OK) { printf("keypair failed\n"); exit(1); }
    hex(sk_hex, sk, 32);
    hex(pk_hex, pk, 48);
}

int main(void)
{
    char s1_sk[65], s1_pk[97], s2_sk[65], s2_pk[97], a_sk[65], a_pk[97], b_sk[65], b_pk[97], config[1024];
    keypair(1, s1_sk, s1_pk); keypair(2, s2_sk, s2_pk); keypair(3, a_sk, a_pk); keypair(4, b_sk, b_pk);

    engine_host *host = NULL;
    OK(engine_host_create(&host, "", 0));
    engine_role *s1 = NULL, *s2 = NULL;
    snprintf(config, sizeof config, "{\"role\":\"two-server\",\"server\":1,\"signing_key\":\"%s\",\"peer_public_key\":\"%s\",\"block\":64}", s1_sk, s2_pk);
    OK(engine_role_create(&s1, host, config, strlen(config)));
    snprintf(config, sizeof config, "{\"role\":\"two-server\",\"server\":2,\"signing_key\":\"%s\",\"peer_public_key\":\"%s\",\"block\":64}", s2_sk, s1_pk);
    OK(engine_role_create(&s2, host, config, strlen(config)));

    user_link alice_link = {{s1, s2}, {NULL, NULL}}, bob_link = {{s1, s2}, {NULL, NULL}};
    engine_two_server_user *alice = NULL, *bob = NULL;
    snprintf(config, sizeof config, "{\"id\":\"alice\",\"signing_key\":\"%s\",\"s1_public_key\":\"%s\",\"s2_public_key\":\"%s\",\"block\":64}", a_sk, s1_pk, s2_pk);
    OK(engine_two_server_user_create(&alice, config, strlen(config), transport, &alice_link));
    snprintf(config, sizeof config, "{\"id\":\"bob\",\"signing_key\":\"%s\",\"s1_public_key\":\"%s\",\"s2_public_key\":\"%s\",\"block\":64}", b_sk, s1_pk, s2_pk);
    OK(engine_two_server_user_create(&bob, config, strlen(config), transport, &bob_link));
    if (!alice || !bob) { printf("two-server-host: %d passed, %d failed\n", passed, failed + 1); return 1; }

    OK(engine_two_server_user_register(alice));
    OK(engine_two_server_user_register(bob));
    OK(engine_two_server_user_join(alice, "team"));
    OK(engine_two_server_user_join(bob, "team"));

    const char *text = "hello bob, from C, in more than one 64-byte block of the two-server protocol";
    int64_t round = -1, open = -1;
    OK(engine_two_server_user_send(alice, "team", "bob", (const uint8_t *)text, strlen(text), &round));
    OK(engine_two_server_close_round(s1, &open));
    OK(engine_two_server_close_round(s2, &open));
    CHECK(open == round + 1, "round %lld closed, %lld open", (long long)round, (long long)open);

    uint8_t inbox[4096];
    size_t length = 0, count = 0;
    OK(engine_two_server_user_fetch(bob, "team", round, inbox, sizeof inbox, &length, &count));
    CHECK(count == 1 && length == 4 + strlen(text) && memcmp(inbox + 4, text, strlen(text)) == 0, "bob received %zu message(s), %zu bytes", count, length);
    OK(engine_two_server_user_fetch(alice, "team", round, inbox, sizeof inbox, &length, &count));
    CHECK(count == 0, "alice received %zu message(s)", count);
    CHECK(engine_two_server_user_fetch(bob, "team", round, inbox, 3, &length, &count) == ENGINE_DESTINATION_TOO_SMALL && length == 4 + strlen(text), "short fetch buffer");
    CHECK(engine_two_server_user_send(alice, "team", "carol", (const uint8_t *)"x", 1, &round) == ENGINE_NOT_FOUND, "send to a non-member");

    /* Carol is a client role: no transport, the loop above carries her messages. */
    char c_sk[65], c_pk[97];
    keypair(5, c_sk, c_pk);
    engine_role *carol = NULL;
    engine_connection *carol_connection = NULL, *carol_routes[2] = {NULL, NULL};
    engine_role *servers[2] = {s1, s2};
    snprintf(config, sizeof config, "{\"role\":\"two-server-user\",\"id\":\"carol\",\"signing_key\":\"%s\",\"s1_public_key\":\"%s\",\"s2_public_key\":\"%s\",\"block\":64}", c_sk, s1_pk, s2_pk);
    OK(engine_role_create(&carol, host, config, strlen(config)));
    uint8_t none[8];
    engine_reply opened;
    OK(engine_connection_open(&carol_connection, carol, NULL, none, sizeof none, &opened));
    size_t result_len = 0;
    OK(drive(carol_connection, servers, carol_routes, "{\"op\":\"register\"}", inbox, sizeof inbox, &result_len));
    OK(drive(carol_connection, servers, carol_routes, "{\"op\":\"join\",\"group\":\"team\"}", inbox, sizeof inbox, &result_len));
    const char *to_carol = "hello carol, a client role driven by its host's loop";
    OK(engine_two_server_user_send(alice, "team", "carol", (const uint8_t *)to_carol, strlen(to_carol), &round));
    OK(engine_two_server_close_round(s1, &open));
    OK(engine_two_server_close_round(s2, &open));
    snprintf(config, sizeof config, "{\"op\":\"fetch\",\"group\":\"team\",\"round\":%lld}", (long long)round);
    OK(drive(carol_connection, servers, carol_routes, config, inbox, sizeof inbox, &result_len));
    CHECK(result_len == 4 + strlen(to_carol) && memcmp(inbox + 4, to_carol, strlen(to_carol)) == 0, "carol received %zu bytes", result_len);
    CHECK(drive(carol_connection, servers, carol_routes, "{\"op\":\"fly\"}", inbox, sizeof inbox, &result_len) == ENGINE_UNKNOWN_MESSAGE_TYPE, "an unknown operation");
    engine_connection_close(carol_connection);
    for (int i = 0; i < 2; i++) engine_connection_close(carol_routes[i]);
    engine_role_destroy(carol);

    /* A user that does not trust these servers' keys refuses them. */
    engine_two_server_user *mallory = NULL;
    user_link mallory_link = {{s1, s2}, {NULL, NULL}};
    snprintf(config, sizeof config, "{\"id\":\"mallory\",\"signing_key\":\"%s\",\"s1_public_key\":\"%s\",\"s2_public_key\":\"%s\"}", a_sk, s2_pk, s1_pk);
    CHECK(engine_two_server_user_create(&mallory, config, strlen(config), transport, &mallory_link) == ENGINE_VERIFICATION_FAILED && mallory == NULL, "swapped server keys refused");

    /* The role API's status paths. */
    engine_role *bad = (engine_role *)1;
    CHECK(engine_role_create(&bad, host, "{", 1) == ENGINE_MALFORMED && bad == NULL, "bad JSON");
    CHECK(engine_role_create(&bad, host, "{\"role\":\"nope\"}", 15) == ENGINE_NOT_FOUND, "unknown role");
    snprintf(config, sizeof config, "{\"role\":\"two-server\",\"server\":1,\"signing_key\":\"%s\",\"peer_public_key\":\"%s\"}", s1_sk, "00");
    CHECK(engine_role_create(&bad, host, config, strlen(config)) != ENGINE_OK, "bad peer key");
    CHECK(engine_role_create(&bad, NULL, "{}", 2) == ENGINE_NULL_ARGUMENT, "null host");

    engine_connection *c = NULL;
    engine_reply reply;
    uint8_t small[4], big[512];
    CHECK(engine_connection_open(&c, s1, NULL, small, sizeof small, &reply) == ENGINE_DESTINATION_TOO_SMALL && c != NULL, "greeting larger than 4 bytes");
    size_t held = 0;
    OK(engine_connection_response(c, big, sizeof big, &held));
    CHECK(held == reply.length && held > 32, "held greeting %zu bytes", held);
    /* An unknown message type is refused by the role (reply.status), not by the call. */
    const uint8_t request[] = {1, 0};
    OK(engine_role_process(c, 99, request, sizeof request, big, sizeof big, &reply));
    CHECK(reply.status == ENGINE_UNKNOWN_MESSAGE_TYPE || reply.status == ENGINE_MALFORMED || reply.status == ENGINE_UNSUPPORTED_VERSION, "type 99: %s", engine_status_name(reply.status));
    CHECK(engine_role_process(NULL, 1, request, sizeof request, big, sizeof big, &reply) == ENGINE_NULL_ARGUMENT, "null connection");
    CHECK(engine_role_process(c, 1, NULL, 5, big, sizeof big, &reply) == ENGINE_NULL_ARGUMENT, "null request with a length");
    engine_connection_close(c);

    engine_two_server_user_destroy(alice);
    engine_two_server_user_destroy(bob);
    for (int i = 0; i < 2; i++) { engine_connection_close(alice_link.connections[i]); engine_connection_close(bob_link.connections[i]); }
    engine_role_destroy(s1);
    engine_role_destroy(s2);
    engine_host_destroy(host);
    printf("two-server-host: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
