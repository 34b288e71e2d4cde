/**
 * Associations bind a subject to a resource (a topic) as its key or value schema, so a client
 * can find a topic's subject without the `{topic}-value` naming convention. Confluent's
 * serializers ask `GET /associations/resources/{namespace}/{topic}` first and fall back to the
 * convention on 404, which is why "none" is an error here, not an empty list.
 */
import { ShiftleftError } from '../common/errors.ts';
import { associationKey, type RegistryState } from './registry-state.ts';
import { parseSchemaInput, validateSubjectName } from './request-validation.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import type { SchemasTopic } from './store/schemas-topic.ts';
import type { Association, SubjectVersion } from './types.ts';

export interface AssociationRequest {
  resourceName?: string;
  resourceNamespace?: string;
  resourceId?: string;
  resourceType?: string;
  associations?: {
    subject?: string;
    associationType?: string;
    lifecycle?: string;
    frozen?: boolean;
    schema?: unknown;
    normalize?: boolean;
  }[];
}

export interface AssociationFilter {
  resourceType?: string;
  associationTypes?: string[];
  lifecycle?: string;
}

const ASSOCIATION_TYPES = ['key', 'value'];
const LIFECYCLES = ['STRONG', 'WEAK'];

export class AssociationRegistry {
  constructor(
    private readonly state: RegistryState,
    private readonly topic: SchemasTopic,
    private readonly schemas: SchemaRegistry,
  ) {}

  /** Creates or replaces associations; a schema given with one is registered under its subject first. */
  async create(request: AssociationRequest): Promise<{ resource: Omit<Association, 'subject' | 'associationType'>; associations: (Association & { schema?: SubjectVersion })[] }> {
    if (typeof request !== 'object' || request === null) throw new ShiftleftError('MALFORMED_REQUEST', 'the association body must be a JSON object');
    const resourceName = request.resourceName;
    if (typeof resourceName !== 'string' || resourceName.length === 0) throw new ShiftleftError('INVALID_ARGUMENT', 'an association needs a resourceName');
    const resourceNamespace = request.resourceNamespace ?? '-';
    const resource = {
      resourceName,
      resourceNamespace,
      resourceId: request.resourceId ?? `${resourceNamespace}:${resourceName}`,
      resourceType: request.resourceType ?? 'topic',
    };
    const items = (request.associations ?? []).map((item) => {
      const associationType = item.associationType ?? 'value';
      if (!ASSOCIATION_TYPES.includes(associationType)) throw new ShiftleftError('INVALID_ARGUMENT', `Invalid association type '${associationType}': use key or value`);
      const lifecycle = item.lifecycle ?? 'WEAK';
      if (!LIFECYCLES.includes(lifecycle)) throw new ShiftleftError('INVALID_ARGUMENT', `Invalid lifecycle '${lifecycle}': use STRONG or WEAK`);
      const subject = validateSubjectName(item.subject ?? `${resourceName}-${associationType}`);
      return { item, association: { ...resource, subject, associationType, lifecycle, frozen: item.frozen === true } satisfies Association };
    });
    if (items.length === 0) throw new ShiftleftError('INVALID_ARGUMENT', 'an association request needs at least one association');

    const out: (Association & { schema?: SubjectVersion })[] = [];
    for (const { item, association } of items) {
      const schema = item.schema === undefined || item.schema === null ? undefined : await this.schemas.register(association.subject, parseSchemaInput(item.schema), { normalize: item.normalize ?? false });
      out.push(schema ? { ...association, schema } : association);
    }
    await this.topic.exclusive(() =>
      this.topic.append(items.map(({ association }) => ({ key: associationKey(association.resourceId, association.associationType), value: association }))),
    );
    return { resource, associations: out };
  }

  byResourceName(resourceName: string, resourceNamespace: string, filter: AssociationFilter = {}): Association[] {
    const found = this.state.associationsOf(resourceName, resourceNamespace).filter((a) => matches(a, filter));
    if (found.length === 0) {
      throw new ShiftleftError('ASSOCIATION_NOT_FOUND', `No associations found for resource '${resourceName}' in namespace '${resourceNamespace}'`);
    }
    return found;
  }

  bySubject(subject: string, filter: AssociationFilter = {}): Association[] {
    const found = this.state.associationsOfSubject(subject).filter((a) => matches(a, filter));
    if (found.length === 0) throw new ShiftleftError('ASSOCIATION_NOT_FOUND', `No associations found for subject '${subject}'`);
    return found;
  }

  async deleteByResourceId(resourceId: string, filter: AssociationFilter = {}): Promise<void> {
    await this.topic.exclusive(async () => {
      const found = this.state.associationsById(resourceId).filter((a) => matches(a, filter));
      if (found.length === 0) throw new ShiftleftError('ASSOCIATION_NOT_FOUND', `No associations found for resource id '${resourceId}'`);
      await this.topic.append(found.map((a) => ({ key: associationKey(a.resourceId, a.associationType), value: null })));
    });
  }
}

function matches(association: Association, filter: AssociationFilter): boolean {
  return (
    (filter.resourceType === undefined || association.resourceType === filter.resourceType) &&
    (!filter.associationTypes?.length || filter.associationTypes.includes(association.associationType)) &&
    (filter.lifecycle === undefined || association.lifecycle === filter.lifecycle)
  );
}
