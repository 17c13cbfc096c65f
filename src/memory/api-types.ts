/**
 * The long-term memory schemas of both APIs, taken from the clients' path types (the service
 * layer never imports generated code directly).
 */
import type { Client } from 'openapi-fetch';
import type { AgentMemoryServerClient, RedisAgentMemoryPaths } from '../clients/index.js';

type AmsPaths = AgentMemoryServerClient extends Client<infer P> ? P : never;
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;

type ManagedMemory = RedisAgentMemoryPaths['/v1/stores/{storeId}/long-term-memory/{memoryId}'];
type ManagedSearch = RedisAgentMemoryPaths['/v1/stores/{storeId}/long-term-memory/search'];
type ManagedBulk = RedisAgentMemoryPaths['/v1/stores/{storeId}/long-term-memory'];

/** A managed memory record. */
export type ManagedRecord = Json<ManagedMemory['get']['responses'][200]>;
/** A managed record to create. */
export type ManagedCreateRecord = NonNullable<
  Json<ManagedBulk['post']['requestBody']>
>['memories'][number];
/** The managed search request. */
export type ManagedSearchRequest = NonNullable<Json<ManagedSearch['post']['requestBody']>>;
/** The managed search filter. */
export type ManagedFilter = NonNullable<ManagedSearchRequest['filter']>;
/** The managed update request. */
export type ManagedUpdate = NonNullable<Json<NonNullable<ManagedMemory['patch']['requestBody']>>>;

type AmsMemory = AmsPaths['/v1/long-term-memory/{memory_id}'];
/** An AMS memory record. */
export type AmsRecord = Json<AmsMemory['get']['responses'][200]>;
/** An AMS record to create. */
export type AmsCreateRecord = NonNullable<
  Json<AmsPaths['/v1/long-term-memory/']['post']['requestBody']>
>['memories'][number];
/** The AMS search request. */
export type AmsSearch = NonNullable<
  Json<AmsPaths['/v1/long-term-memory/search']['post']['requestBody']>
>;
/** The AMS update request. */
export type AmsUpdate = NonNullable<Json<AmsMemory['patch']['requestBody']>>;
/** The memory types AMS accepts. */
export type AmsMemoryType = NonNullable<AmsRecord['memory_type']>;
