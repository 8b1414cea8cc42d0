/**
 * Partition assignment by task: task N is partition N of every input topic, and a task goes to one
 * member as a whole. A task's state is built from the records of all its partitions, so they must
 * never be split between two members (the same rule as Kafka Streams' co-partitioning).
 *
 * Tasks are dealt round-robin over the members sorted by id, so every member computes the same
 * answer and two members differ by at most one task.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITIONED_ASSIGNER_NAME = 'BmpCoPartitionedAssigner';

/** Which member gets which tasks: pure, for the assigner and its tests. */
export function assignTasks(memberIds: string[], partitionsByTopic: Record<string, number[]>): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const tasks = [...new Set(Object.values(partitionsByTopic).flat())].sort((a, b) => a - b);
  const out = new Map<string, Record<string, number[]>>(members.map((m) => [m, {}]));
  tasks.forEach((task, i) => {
    const assignment = out.get(members[i % members.length]) as Record<string, number[]>;
    for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
      if (partitions.includes(task)) (assignment[topic] ??= []).push(task);
    }
  });
  return out;
}

export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic: Record<string, number[]> = {};
    for (const topic of topics) partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
    const assignment = assignTasks(
      members.map((m) => m.memberId),
      partitionsByTopic,
    );
    return [...assignment].map(([memberId, a]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: a, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: CO_PARTITIONED_ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
